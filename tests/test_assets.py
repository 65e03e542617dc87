"""The committed browser bundle is exactly what package.json's pinned dependencies build today."""
import filecmp
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_committed_bundle_equals_a_fresh_build(tmp_path):
    subprocess.run(["node", "build.mjs", str(tmp_path)], cwd=ROOT, check=True, timeout=120)
    committed = ROOT / "static" / "dist"
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert fresh == sorted(p.name for p in committed.iterdir()), "run `make assets` and commit static/dist"
    different = [name for name in fresh if not filecmp.cmp(tmp_path / name, committed / name, shallow=False)]
    assert not different, f"static/dist is stale for {different}: run `make assets` and commit it"


def test_the_pages_share_one_copy_of_the_socket_io_client():
    """Every page's bundle imports the shared chunks, so a page holds one Socket.IO client (one connection)."""
    committed = ROOT / "static" / "dist"
    holders = [p.name for p in committed.glob("*.js") if "io server disconnect" in p.read_text()]
    assert len(holders) == 1 and holders[0].startswith("chunk-"), holders
