"""JupyterHub configuration of the classroom hub, started by tools/hub.mjs (`npm run hub`).

tools/hub.mjs sets the environment this file reads:
  L0_COURSE        the course's folder (notebooks/ and node_modules/ with the built library)
  L0_HUB_PORT      the port the hub serves on 127.0.0.1
  L0_HUB_API_PORT  the hub's internal API port, L0_HUB_PROXY_API_PORT the proxy's
  L0_HUB_STATE     a folder for the hub's database, cookie secret and proxy pid file
  L0_HUB_CONFIG    optional: a further configuration file loaded last (authentication,
                   spawner, limits: see the README, "Teaching with this course")

Students sign in with their Unix account (PAM, JupyterHub's default) and each gets a
single-user Jupyter Notebook server (Debian's jupyterhub-singleuser) running as
that account, in ~/l0-course: their own copy of the chapters, made when their
server first starts and never overwritten after, next to a link to the course's
node_modules, where the tslab kernel (installed system-wide by tools/hub.mjs) finds
the library and its type declarations.
"""

import os
import pwd
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

course = Path(os.environ["L0_COURSE"])
state = Path(os.environ["L0_HUB_STATE"])

c.JupyterHub.bind_url = f"http://127.0.0.1:{os.environ['L0_HUB_PORT']}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ["L0_HUB_API_PORT"])
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['L0_HUB_PROXY_API_PORT']}"
# npm's configurable-http-proxy, pinned in the course's package.json
c.ConfigurableHTTPProxy.command = [str(course / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
# Stopping the hub stops every student's server and the proxy with it.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.Spawner.cmd = ["jupyterhub-singleuser"]
c.Spawner.notebook_dir = "~/l0-course"
c.Spawner.default_url = "/tree/notebooks"
# Chapter 08 trains a network: give a server time to start on a busy machine.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def home_of(spawner):
    """The student's home: the test spawner's own, else the Unix account's."""
    return Path(getattr(spawner, "home_dir", None) or pwd.getpwnam(spawner.user.name).pw_dir)


def copy_course(spawner):
    """Gives the student their own copy of the chapters (missing files only) and a link to node_modules."""
    target = home_of(spawner) / "l0-course"
    (target / "notebooks").mkdir(parents=True, exist_ok=True)
    for notebook in sorted((course / "notebooks").glob("*.ipynb")):
        copy = target / "notebooks" / notebook.name
        if not copy.exists():
            shutil.copyfile(notebook, copy)
    link = target / "node_modules"
    if not link.is_symlink():
        link.symlink_to(course / "node_modules", target_is_directory=True)
    if os.getuid() == 0 and not hasattr(spawner, "home_dir"):
        account = pwd.getpwnam(spawner.user.name)
        for path in [target, *target.rglob("*")]:
            os.lchown(path, account.pw_uid, account.pw_gid)


c.Spawner.pre_spawn_hook = copy_course

extra = os.environ.get("L0_HUB_CONFIG")
if extra:
    load_subconfig(extra)  # noqa: F821 (defined by JupyterHub)
