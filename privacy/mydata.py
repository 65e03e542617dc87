"""My data: everything a person wrote or is part of, as a zip of JSON and Markdown."""
from collections.abc import Callable
from datetime import date, datetime
import io
import json
import zipfile

from couples import accounts
from couples.models import User
from privacy import reflection
from privacy.models import space_of
from workers import off_loop

# The features that hold the person's words elsewhere: each hands over its `export_for_user(user) -> dict` as it
# is imported (register), so no table of names here can fall out of step with the code.
_exporters: dict[str, Callable[[User], dict]] = {}


def register(feature: str, export_for_user: Callable[[User], dict]) -> None:
    """Called once by a feature's module: its part of a person's data, under `feature` in the download."""
    _exporters[feature] = export_for_user


def feature_exporters() -> dict[str, Callable[[User], dict]]:
    """The `export_for_user` of every feature, by feature name (in name order: the download is the same each time)."""
    return dict(sorted(_exporters.items()))


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def own_data(user: User) -> dict:
    """The privacy feature's part: account, own reflections, passages shared by either partner."""
    prompts = reflection.PROMPTS_BY_KEY
    return {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "time_zone": user.time_zone,
            "share_presence": user.share_presence,
        },
        "reflections": [
            {
                "prompt": prompts[entry.prompt].question,
                "text": entry.body,
                "written_at": _stamp(entry.created_at),
                "changed_at": _stamp(entry.updated_at),
            }
            for entry in reflection.entries_of(user)
        ],
        # Only one's own space: the note is what the person wrote. The partner's note was shown to this
        # person only while that space lasted, and goes with it when it ends (nothing keeps a trace of space
        # asked for), so copying it into this person's export would keep what its writer let go; it is in
        # the partner's own export while it lasts.
        "space": _space(user),
        "shared_passages": [
            {
                "from": "me" if passage.author_id == user.id else passage.author.name,
                "text": passage.body,
                "shared_at": _stamp(passage.created_at),
            }
            for passage in reflection.passages_with(user)
        ],
    }


def _space(user: User) -> dict | None:
    """The person's own request for space, while it lasts (ended ones are not kept), or None."""
    space = space_of(user)
    if space is None:
        return None
    return {"until": _stamp(space.until) or "until I say", "note": space.note}


def collect(user: User) -> dict:
    """Everything the person wrote or is part of, one key per part."""
    data = own_data(user)
    for feature, export in feature_exporters().items():
        data[feature] = export(user)
    return data


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"cannot export {type(value).__name__}")


def _title(key: str) -> str:
    return str(key).replace("_", " ").capitalize()


def _markdown(value, depth: int) -> list[str]:
    """Readable Markdown for any JSON-like value: headings, lists, plain text."""
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                lines += ["", f"{'#' * min(depth, 6)} {_title(key)}", ""]
                lines += _markdown(item, depth + 1)
            else:
                lines.append(f"- **{_title(key)}:** {_scalar(item)}")
        return lines
    if isinstance(value, list):
        if not value:
            return ["(none)"]
        lines = []
        for number, item in enumerate(value, start=1):
            if isinstance(item, (dict, list)):
                lines += ["", f"{'#' * min(depth, 6)} {number}", ""]
                lines += _markdown(item, depth + 1)
            else:
                lines.append(f"- {_scalar(item)}")
        return lines
    return [_scalar(value)]


def _scalar(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value)
    return text.replace("\n", "\n  ") if "\n" in text else text


def to_markdown(data: dict) -> str:
    """The whole export as one readable Markdown document."""
    return "\n".join(["# My data", *_markdown(data, 2)]).strip() + "\n"


def export_with_password(user: User, password: str) -> bytes:
    """The export file, only once the person has entered their password again."""
    accounts.confirm_password(user, password)
    return build_zip(user)


def build_zip(user: User) -> bytes:
    """The export file: one JSON file per part, plus all of it in Markdown."""
    return off_loop(_zip, collect(user))  # reading is database work; writing and deflating run off the loop


def _zip(data: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in data.items():
            archive.writestr(
                f"my-data/{part}.json",
                json.dumps(content, indent=2, ensure_ascii=False, default=_json_default),
            )
        archive.writestr("my-data/my-data.md", to_markdown(data))
    return buffer.getvalue()
