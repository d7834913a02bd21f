// Preloaded into every tslab kernel of this project (`node --require`, through
// NODE_OPTIONS in tools/tslab-kernel.sh and in the hub's kernel spec): the kernel
// ends within a second once the process that started it is gone. A kernel outlives
// its Jupyter server or runner when that is killed before it could shut its kernels
// down (JupyterHub's spawner sends SIGKILL to a student's server that has not
// stopped within 15 s; SIGKILL to tools/run_notebooks.py); ipykernel watches its
// parent for this reason (its ParentPollerUnix), tslab does not, and a forgotten
// kernel that trained chapter 08 holds about 600 MB.
//
// The parent is gone when the process's parent changes: an orphan is adopted by
// init or by a subreaper. The flag that loaded this file is taken out of
// NODE_OPTIONS, so that processes a notebook starts do not inherit the watch.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

const flag = `--require ${JSON.stringify(__filename)}`;
const options = (process.env.NODE_OPTIONS ?? "").replace(flag, "").trim();
if (options === "") delete process.env.NODE_OPTIONS;
else process.env.NODE_OPTIONS = options;
