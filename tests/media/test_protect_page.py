"""The protect page: served without inline script or style, no cookies, a submit URL only when given."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.testclient import TestClient

from sxr.app import create_app
from sxr.config import Settings
from sxr.media.views import render_protect_page


def test_protect_page_has_no_inline_code_and_sends_nowhere(settings: Settings) -> None:
    client = TestClient(create_app(settings))
    response = client.get("/protect")
    assert response.status_code == 200
    page = response.text
    assert "set-cookie" not in response.headers
    assert "data-submit-url" not in page
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/js/left.js">',
        '<script src="/static/js/quick-exit.js" defer>',
        '<script src="/static/js/pdq.js" defer>',
        '<script src="/static/js/protect.js" defer>',
    ]
    assert "<style" not in page and " style=" not in page and "onclick" not in page
    assert 'id="exit-this-page"' in page
    for asset in ("pdq.js", "md5.js", "hash-worker.js", "protect.js"):
        assert client.get(f"/static/js/{asset}").status_code == 200


def test_submit_url_is_escaped(settings: Settings) -> None:
    from sxr.guidance.content import default_content

    app = FastAPI()
    app.state.page_context = {"region_page": default_content().region_page("GB-ENG")}  # as create_app does

    @app.get("/case/x/protect")
    def protect(request: Request) -> Response:
        return render_protect_page(request, submit_url='/case/x/hashes?a=1&b="><script>')

    page = TestClient(app).get("/case/x/protect").text
    assert 'data-submit-url="/case/x/hashes?a=1&amp;b=&#34;&gt;&lt;script&gt;"' in page
