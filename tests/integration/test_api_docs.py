"""`/api/docs`: the vendored Swagger UI draws /openapi.json under a strict policy for scripts."""

import re


def test_the_docs_page_answers_with_a_strict_policy_and_its_vendored_files(client):
    answer = client.get("/api/docs")
    html = answer.get_data(as_text=True)
    policy = answer.headers["Content-Security-Policy"]
    assert answer.status_code == 200
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "img-src 'self' data:;" in policy
    assert "unsafe" not in policy and "frame-ancestors 'none'" in policy
    assert "<script>" not in html and " style=" not in html
    assert 'data-spec="/openapi.json"' in html
    files = re.findall(r'(?:src|href)="(/assets/[^"]+)"', html)
    assert "/assets/vendor/swagger-ui/swagger-ui-bundle.js" in files and "/assets/api_docs.js" in files
    for path in files:
        assert client.get(path).status_code == 200, path
    assert "//" not in "".join(re.findall(r'src="([^"]+)"', html))  # nothing from another host


def test_only_the_docs_page_allows_data_images(client):
    assert "img-src 'self';" in client.get("/sign-in").headers["Content-Security-Policy"]
