"""The download headers' file name (app.files): RFC 5987 with an ASCII fallback."""
from __future__ import annotations

import pytest

from app.files import disposition


@pytest.mark.parametrize(("name", "expected"), [
    ("paper.pdf", "attachment; filename=\"paper.pdf\"; filename*=UTF-8''paper.pdf"),
    ("ورقة.pdf", "attachment; filename=\"attachment.pdf\"; "
                 "filename*=UTF-8''%D9%88%D8%B1%D9%82%D8%A9.pdf"),
    ("Résumé; \"final\".docx", "attachment; filename=\"Resume final.docx\"; "
                               "filename*=UTF-8''R%C3%A9sum%C3%A9%3B%20%22final%22.docx"),
    ("立场文件.odt", "attachment; filename=\"attachment.odt\"; "
                 "filename*=UTF-8''%E7%AB%8B%E5%9C%BA%E6%96%87%E4%BB%B6.odt"),
    ("", "attachment; filename=\"attachment\"; filename*=UTF-8''attachment"),
    ("a\r\nb.txt", "attachment; filename=\"ab.txt\"; filename*=UTF-8''a%0D%0Ab.txt"),
])
def test_disposition(name, expected):
    assert disposition(name) == expected
