"""The browser's text binding keeps every keystroke and the caret through a partner's edits (run in Node)."""
import subprocess
from pathlib import Path

CHECK = Path(__file__).with_name("textbinding_check.mjs")


def test_text_binding_keeps_the_caret_through_remote_changes():
    result = subprocess.run(["node", str(CHECK)], capture_output=True, text=True, timeout=60,
                            cwd=CHECK.parents[2])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "ok"
