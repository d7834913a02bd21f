#!/bin/sh
# The user-level `tslab` Jupyter kernel. tools/setup.mjs copies this file into
# the kernel spec's own folder (…/jupyter/kernels/tslab/), so that the kernel
# depends on no particular clone of a project.
#
# Jupyter starts a kernel in the notebook's folder. This runs the tslab of the
# project that folder belongs to: the first node_modules/.bin/tslab found from
# there upwards (tslab does the same lookup itself, from the same folder). Else
# a tslab on PATH, such as a global `npm install -g tslab`, so notebooks outside
# any project keep working.
#
# The kernel preloads kernel-watch.cjs from this file's folder, when there, so that
# it ends with the process that started it.
#
#   tslab-kernel.sh kernel --config-path CONNECTION_FILE
watch="$(cd "$(dirname "$0")" && pwd -P)/kernel-watch.cjs"
if [ -f "$watch" ]; then
  export NODE_OPTIONS="--require \"$watch\"${NODE_OPTIONS:+ $NODE_OPTIONS}"
fi
dir=$(pwd -P)
while :; do
  if [ -x "$dir/node_modules/.bin/tslab" ]; then
    exec "$dir/node_modules/.bin/tslab" "$@"
  fi
  [ -z "$dir" ] && break # "" stands for / (checked last)
  dir=${dir%/*}
done
if command -v tslab >/dev/null 2>&1; then
  exec tslab "$@"
fi
echo "tslab kernel: no node_modules/.bin/tslab in $(pwd -P) or any folder above it, and no tslab on PATH." >&2
echo "  Install one: npm install in the notebook's project, or npm install -g tslab." >&2
exit 1
