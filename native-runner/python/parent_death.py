"""The harness dies with the runner that started it.

When the runner is killed (even with kill -9) nothing else would stop this process: it would
keep the GPU busy as an orphan. A daemon thread polls the parent's pid and ends the process
(os._exit: no cleanup can hang) once it has been re-parented.
"""
import os
import threading
import time


def exit_with_parent(poll_s=0.5):
    """Starts the watcher thread; call first thing in main()."""
    parent = os.getppid()

    def watch():
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(poll_s)

    threading.Thread(target=watch, name="parent-death-watch", daemon=True).start()
