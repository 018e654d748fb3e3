"""The providers' hosted checkout pages, as the sandbox (`make run`) and the browser tests see them: the amount and
two buttons. "Pay" makes the provider's payment, sends its signed webhook to the platform and returns the browser to
the success URL; "Decline" makes a declined payment (and its webhook) and returns it to the cancel URL, as a card
refused at the provider would."""

from __future__ import annotations

import html
from dataclasses import dataclass

import httpx
import structlog
from starlette.responses import HTMLResponse

from abono.money import Money

log = structlog.get_logger("billing.fakes")


@dataclass
class WebhookTarget:
    """Where a fake provider sends its notifications (the platform's public webhook URL) and the signing secret."""

    url: str
    secret: str


async def send_webhook(target: WebhookTarget, *, body: str, headers: dict[str, str], query: str = "") -> int:
    """POST a signed notification as the provider does; the platform's status code (0 if unreachable)."""
    url = f"{target.url}?{query}" if query else target.url
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            answer = await http.post(url, content=body.encode(), headers=headers)
    except httpx.HTTPError as exc:
        log.warning("sandbox_webhook_failed", url=url, error=repr(exc))
        return 0
    log.info("sandbox_webhook_sent", url=url, status=answer.status_code)
    return answer.status_code


def amount_text(amount: Money) -> str:
    return f"{amount.to_decimal():,f} {amount.currency}"


def checkout_page(*, provider: str, description: str, amount: Money, pay_action: str, decline_action: str,
                  cancel_url: str | None) -> HTMLResponse:
    """The hosted page: who is asking for how much, and the two choices (plain forms: works without JavaScript)."""
    e = html.escape
    back = f'<p><a href="{e(cancel_url)}">Volver sin pagar / Back without paying</a></p>' if cancel_url else ""
    body = f"""<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(provider)} (sandbox): {e(amount_text(amount))}</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #f4f5f7; margin: 0; }}
main {{ max-width: 26rem; margin: 3rem auto; background: #fff; border-radius: 12px; padding: 2rem;
        box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
.amount {{ font-size: 2rem; font-weight: 700; margin: .5rem 0 1.5rem; }}
button {{ font: inherit; width: 100%; padding: .8rem; border-radius: 8px; border: 0; margin-top: .6rem;
          cursor: pointer; }}
.pay {{ background: #0b6b3a; color: #fff; }} .decline {{ background: #e9ebee; color: #222; }}
.note {{ color: #555; font-size: .9rem; }}
</style></head>
<body><main>
<p class="note">{e(provider)} &middot; sandbox: no real money moves</p>
<h1>{e(description)}</h1>
<p class="amount" data-testid="amount">{e(amount_text(amount))}</p>
<form method="post" action="{e(pay_action)}"><button class="pay" type="submit">Pay</button></form>
<form method="post" action="{e(decline_action)}"><button class="decline" type="submit">Decline</button></form>
{back}
</main></body></html>"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


def not_found_page(what: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><title>Not found</title><p>{html.escape(what)}</p>", status_code=404)
