"""The reference group downloads the files of approved views that a moderator marked
public (issue #21); a withheld file, or one of a view not approved, is not found."""
from __future__ import annotations

from typing import Any

from app.auth.access import role_required
from app.db import db
from app.files import file_missing, send_attachment
from app.i18n import gettext as _
from app.reports.routes import READERS, bp
from app.services.reporting import attachments


@bp.get("/attachments/<int(max=2147483647):attachment_id>")
@role_required(*READERS)
def download_attachment(lang: str, attachment_id: int) -> Any:
    # Read on the primary, not a replica: a file withheld a moment ago is not served.
    found = attachments.for_reference_group(db.session, attachment_id)
    if found is None:
        return file_missing(_("There is no such file, or it has not been made available "
                              "to the reference group."))
    return send_attachment(found)
