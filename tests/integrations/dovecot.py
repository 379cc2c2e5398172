"""A throwaway Dovecot IMAP server for the gateway's tests and bench: its own config, passwd
file and maildirs in a temporary directory, plain-text login on 127.0.0.1, a free port,
run in the foreground (``dovecot -F``) as a child process and stopped with it."""

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

USER, PASSWORD = "gateway", "gateway-test-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = edem-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def available():
    return shutil.which("dovecot") is not None


@contextlib.contextmanager
def dovecot_server():
    """Yield {"host", "port", "user", "password"} of a running Dovecot."""
    binary = shutil.which("dovecot")
    root = tempfile.mkdtemp(prefix="edem-dovecot-")
    os.chmod(root, 0o755)  # noqa: S103 - dovecot's unprivileged user must reach its maildirs
    account = pwd.getpwnam("dovenull") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    port = free_port()
    for sub in ("run", "state", "mail", "home"):
        os.makedirs(os.path.join(root, sub))
    if os.geteuid() == 0:
        for sub in ("mail", "home"):
            os.chown(os.path.join(root, sub), account.pw_uid, account.pw_gid)
    with open(os.path.join(root, "passwd"), "w") as passwd:
        passwd.write(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = os.path.join(root, "dovecot.conf")
    with open(config, "w") as out:
        out.write(
            CONFIG.format(
                root=root,
                port=port,
                user=account.pw_name,
                group=account.pw_name,
                uid=account.pw_uid,
                gid=account.pw_gid,
            )
        )
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [binary, "-F", "-c", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with imaplib.IMAP4("127.0.0.1", port, timeout=2) as probe:
                    probe.login(USER, PASSWORD)
                break
            except (OSError, imaplib.IMAP4.error):
                if process.poll() is not None or time.monotonic() > deadline:
                    log = ""
                    with contextlib.suppress(OSError), open(os.path.join(root, "dovecot.log")) as f:
                        log = f.read()
                    raise RuntimeError(f"Dovecot did not start:\n{log}") from None
                time.sleep(0.1)
        yield {"host": "127.0.0.1", "port": port, "user": USER, "password": PASSWORD}
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


def imap_connection(server):
    imap = imaplib.IMAP4(server["host"], server["port"], timeout=30)
    imap.login(server["user"], server["password"])
    return imap


def append(server, raw, folder="INBOX"):
    """Put a message (bytes) into a folder over IMAP, as a mail server's delivery would."""
    imap = imap_connection(server)
    try:
        status, data = imap.append(folder, None, None, raw)
        assert status == "OK", data
    finally:
        imap.logout()


def count(server, folder):
    imap = imap_connection(server)
    try:
        imap.create(folder)
        status, data = imap.select(folder)
        assert status == "OK", data
        status, data = imap.search(None, "UNDELETED")
        return len(data[0].split())
    finally:
        imap.logout()


def empty(server, *folders):
    imap = imap_connection(server)
    try:
        for folder in folders:
            imap.create(folder)
            imap.select(folder)
            status, data = imap.search(None, "ALL")
            if data[0]:
                imap.store("1:*", "+FLAGS", "(\\Deleted)")
                imap.expunge()
            imap.close()
    finally:
        imap.logout()
