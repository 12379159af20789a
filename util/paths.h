/* Where wgjail keeps what lives only while the system runs, decided here
 * and nowhere else:
 *   state directory  $WGJAIL_STATEDIR, else /run/wgjail on Linux and
 *                    /var/run/wgjail on FreeBSD (which has no /run; its
 *                    rc clears /var/run at boot): records of the last sync,
 *                    endpoint memory, what `up` created;
 *   run directory    $WGJAIL_RUNDIR, else /var/run/wgjail: the agent's
 *                    lock, pid file and status.json.
 * An empty variable counts as unset. */
#ifndef WGJAIL_PATHS_H
#define WGJAIL_PATHS_H

const char *wj_statedir(void);
const char *wj_rundir(void);

#endif
