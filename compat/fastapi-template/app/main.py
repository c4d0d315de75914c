"""`app`: what the template's `TestClient(app)` drives. A FastAPI app that forwards every request to
the server under test (method, path, query, headers, body; the answer back as it came), except the
template's demo items (app/items.py), which this sign-in server does not offer."""
import httpx
from fastapi import FastAPI, Request, Response

from app.core.config import settings
from app.items import router as items_router

app = FastAPI(title=settings.PROJECT_NAME, openapi_url=None, docs_url=None, redoc_url=None)
app.include_router(items_router, prefix=settings.API_V1_STR)

# Hop-by-hop and framing headers: httpx and the TestClient set their own.
DROPPED = {"host", "content-length", "transfer-encoding", "connection", "accept-encoding", "content-encoding"}


@app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
async def forward(path: str, request: Request) -> Response:
    # A client per request: each TestClient runs the app on an event loop of its own.
    async with httpx.AsyncClient(base_url=settings.SERVER_URL, timeout=60) as upstream:
        answer = await upstream.request(
            request.method,
            request.url.path,
            params=request.url.query.encode(),
            headers=[(k, v) for k, v in request.headers.items() if k.lower() not in DROPPED],
            content=await request.body(),
        )
    headers = [(k, v) for k, v in answer.headers.multi_items() if k.lower() not in DROPPED]
    response = Response(content=answer.content, status_code=answer.status_code)
    for k, v in headers:
        response.headers.append(k, v)
    return response
