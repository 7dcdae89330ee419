"""A Starlette site whose every response is checked by guardrail before it leaves."""

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from guardrail_web import GuardrailASGI


async def cases(request):
    return JSONResponse([{"month": "2026-08", "ward": "Adeyfield East",
                          "category": "Nuisance"}])


async def export(request):  # streamed: checked whole, once the last row is written
    async def rows():
        yield "month,ward,complainant_name\r\n"
        yield "2026-08,Adeyfield East,Daniel Hughes\r\n"
    return StreamingResponse(rows(), media_type="text/csv")


app = Starlette(
    routes=[Route("/cases.json", cases), Route("/export.csv", export)],
    middleware=[Middleware(GuardrailASGI, policy="asb-public-web",
                           destination="public-web")],
)

if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    uvicorn.run(app, host="127.0.0.1", port=port)
