#!/bin/sh
# Start one student kernel inside bubblewrap (see content_service/grading/sandbox.py).
# Arguments: RUNTIME_DIR PYTHON_HOME VENV UID CPU_S MEM_BYTES FSIZE_BYTES NOFILE NPROC CONNECTION_FILE
# The kernel's working directory ($PWD, nbgrader's autograded copy) is copied to a scratch folder
# so a notebook's writes never reach the course; only that copy is visible inside.
set -eu
runtime=$1; pyhome=$2; venv=$3; sandbox_uid=$4; cpu=$5; mem=$6; fsize=$7; nofile=$8; nproc=$9
shift 9
connection_file=$1
# Interrupts arrive as messages (kernel.json interrupt_mode); SIGINT must not kill bwrap.
trap '' INT
scratch="$runtime/work"
rm -rf "$scratch"
cp -R "$PWD" "$scratch"
if [ "$(id -u)" = 0 ]; then
    chown -R "$sandbox_uid:$sandbox_uid" "$scratch" "$runtime"
    drop="/usr/bin/setpriv --reuid=$sandbox_uid --regid=$sandbox_uid --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs --"
    userns=""
else
    drop=""
    userns="--unshare-user --uid $sandbox_uid --gid $sandbox_uid"
fi
# bwrap creates missing parent folders with mode 0700, which the sandbox uid cannot traverse:
# create every parent of the bound folders with 0755 first (a sorted list puts parents first).
parents=$(for p in "$pyhome" "$venv" "$runtime"; do
    d=$(dirname "$p"); while [ "$d" != / ]; do echo "$d"; d=$(dirname "$d"); done
done | sort -u | grep -v '^/tmp$' | grep -v '^/usr' || true)
mkdirs=""
for d in $parents; do mkdirs="$mkdirs --perms 0755 --dir $d"; done
# shellcheck disable=SC2086 # $drop, $userns and $mkdirs are word lists on purpose
exec /usr/bin/bwrap $userns --unshare-net --unshare-pid --unshare-ipc --unshare-uts \
    --unshare-cgroup-try --die-with-parent --new-session --clearenv \
    --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --symlink usr/bin /bin --symlink usr/sbin /sbin \
    --ro-bind-try /etc/ld.so.cache /etc/ld.so.cache --ro-bind-try /etc/localtime /etc/localtime \
    --proc /proc --dev /dev --tmpfs /tmp --chmod 1777 /tmp $mkdirs \
    --ro-bind "$pyhome" "$pyhome" --ro-bind "$venv" "$venv" \
    --bind "$runtime" "$runtime" --chdir "$scratch" \
    --setenv HOME /tmp --setenv PATH /usr/bin:/bin --setenv LANG C.UTF-8 \
    --setenv PYTHONDONTWRITEBYTECODE 1 --setenv MPLBACKEND Agg \
    /usr/bin/prlimit --cpu="$cpu" --as="$mem" --fsize="$fsize" --nofile="$nofile" --nproc="$nproc" -- \
    $drop "$venv/bin/python" -m ipykernel_launcher -f "$connection_file" \
    --HistoryManager.hist_file=:memory:
