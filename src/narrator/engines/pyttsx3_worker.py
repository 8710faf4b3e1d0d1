"""Child process that drives pyttsx3, isolated from narrator's own process.

Protocol: one JSON object a line on stdin ({"text", "path"}), one JSON reply
a line on the reply pipe ({"ok": true} or {"ok": false, "error": ...}).
pyttsx3 prints to stdout, so replies go to a duplicate of the original
stdout and stdout itself is pointed at stderr.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from typing import Any, TextIO


def _exit_with_parent() -> None:
    """End this process once its parent is gone (killed, or exited without closing
    our stdin while a sentence was being spoken), so no worker is left orphaned."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)
    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _report_callback_errors(reply: TextIO) -> None:
    """pyttsx3's espeak driver writes the WAV file inside espeak's callback; an
    error there (a full disk) is swallowed by ctypes and the run loop never
    ends. Report it at once, with its errno, and end this worker instead."""
    def hook(unraisable: Any) -> None:
        error = unraisable.exc_value
        cause = error.__cause__ or error.__context__ or error
        reply.write(json.dumps({"ok": False, "error": f"{type(cause).__name__}: {cause}",
                                "errno": getattr(cause, "errno", None)}) + "\n")
        reply.flush()
        os._exit(3)
    sys.unraisablehook = hook


def main() -> int:
    """Serve synthesis requests until stdin closes or the parent process ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle; it stops us
    _exit_with_parent()
    reply = os.fdopen(os.dup(1), "w", buffering=1)
    _report_callback_errors(reply)
    os.dup2(2, 1)
    voice_id, rate = sys.argv[1], int(sys.argv[2])
    try:
        import pyttsx3

        engine = pyttsx3.init("espeak" if sys.platform.startswith("linux") else None)
        if voice_id:
            known = [v.id for v in engine.getProperty("voices")]
            if voice_id not in known:
                raise ValueError(f"no system voice '{voice_id}' (have: {', '.join(known[:12])} ...)")
            engine.setProperty("voice", voice_id)
        engine.setProperty("rate", rate)
    except Exception as exc:  # any failure to start is reported, not raised
        reply.write(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
        return 1
    reply.write(json.dumps({"ok": True, "ready": True}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            engine.save_to_file(request["text"], request["path"])
            engine.runAndWait()
            reply.write(json.dumps({"ok": True}) + "\n")
        except Exception as exc:
            reply.write(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
