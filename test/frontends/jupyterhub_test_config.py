"""Test only (test/frontends/hub.test.ts): the classroom hub with made-up students.

Loaded after tools/jupyterhub_config.py through `npm run hub -- --config`. Students
sign in without a password (JupyterHub's DummyAuthenticator) and their servers run
as the hub's own user with homes under L0_HUB_TEST_HOMES (SimpleLocalProcessSpawner),
so no Unix accounts are needed. A service with the token L0_HUB_TEST_TOKEN creates
the students, starts their servers and issues their API tokens. Never use this for
a class: anyone could sign in as anyone.
"""

import os

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = os.environ["L0_HUB_TEST_HOMES"] + "/{username}"
if os.getuid() == 0:
    c.Spawner.args = ["--allow-root"]  # the servers run as the hub's user, root on CI
c.JupyterHub.services = [{"name": "l0-test", "api_token": os.environ["L0_HUB_TEST_TOKEN"]}]
c.JupyterHub.load_roles = [
    {"name": "l0-test", "scopes": ["admin:users", "admin:servers", "tokens"], "services": ["l0-test"]}
]
