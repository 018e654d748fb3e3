"""The provider's catalog (seeds/client-manual-billing.txt: "los servicios más facturados").

The manual names the product kinds but publishes no price list: the amounts below are the launch
defaults staff edit in the catalog (the one price the manual does state, the pay-with-time symbolic 0.50,
is kept). A price is listed per month of service; each allowed cycle is priced as that many months, and the
cycle discounts (B-12) are applied on invoices, not baked into prices.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SeedProduct:
    code: str
    name: str
    kind: str
    cycles: tuple[str, ...]
    activation: str
    driver: str
    monthly_minor: dict[str, int]  # currency → minor units per month of service
    upgrade_to: tuple[str, ...] = ()
    driver_settings: dict[str, Any] = field(default_factory=dict)
    description: str = ""


ALL = ("monthly", "quarterly", "semiannual", "annual", "biennial")
HOSTING = ("semiannual", "annual")  # C-2: shared hosting is semiannual or annual only
YEARLY = ("annual", "biennial")

SEED_PRODUCTS: tuple[SeedProduct, ...] = (
    SeedProduct("domain-com", "Registro de dominio .com", "domain", YEARLY, "automatic", "registrar",
                {"USD": 125, "ARS": 150_00}, driver_settings={"tld": ".com"}),
    # NIC Argentina registers and renews .com.ar one year at a time and has no EPP transfers (D-3).
    SeedProduct("domain-com-ar", "Registro de dominio .com.ar", "domain", ("annual",), "automatic", "nic-ar",
                {"USD": 50, "ARS": 60_00}, driver_settings={"tld": ".com.ar", "transfer_in": False}),
    SeedProduct("hosting-basic", "Hosting Básico", "shared_hosting", HOSTING, "automatic", "cpanel",
                {"USD": 5_00, "ARS": 6_000_00}, upgrade_to=("hosting-plus", "hosting-pro"),
                driver_settings={"package": "basic"}),
    SeedProduct("hosting-plus", "Hosting Plus", "shared_hosting", HOSTING, "automatic", "cpanel",
                {"USD": 8_00, "ARS": 9_600_00}, upgrade_to=("hosting-pro",), driver_settings={"package": "plus"}),
    SeedProduct("hosting-pro", "Hosting Pro", "shared_hosting", HOSTING, "automatic", "cpanel",
                {"USD": 12_00, "ARS": 14_400_00}, driver_settings={"package": "pro"}),
    SeedProduct("reseller-start", "Hosting Revendedor", "reseller_hosting", ALL, "manual", "whm",
                {"USD": 20_00, "ARS": 24_000_00}),
    SeedProduct("vps-1", "VPS 1 vCPU", "vps", ALL, "manual", "proxmox", {"USD": 15_00, "ARS": 18_000_00},
                upgrade_to=("vps-2",)),
    SeedProduct("vps-2", "VPS 2 vCPU", "vps", ALL, "manual", "proxmox", {"USD": 28_00, "ARS": 33_600_00}),
    SeedProduct("dedicated", "Servidor Dedicado", "vps", ALL, "manual", "proxmox", {"USD": 120_00}),
    SeedProduct("webmaster-basic", "Webmaster Básico", "webmaster", ALL, "manual", "staff-task",
                {"USD": 30_00, "ARS": 36_000_00}, upgrade_to=("webmaster-full",)),
    SeedProduct("webmaster-full", "Webmaster Completo", "webmaster", ALL, "manual", "staff-task",
                {"USD": 60_00, "ARS": 72_000_00}),
    SeedProduct("radio-basic", "Radio Streaming Básico", "audio_streaming", ALL, "automatic", "centova",
                {"USD": 9_00, "ARS": 10_800_00}, upgrade_to=("radio-pro",), driver_settings={"listeners": 100}),
    SeedProduct("radio-pro", "Radio Streaming Pro", "audio_streaming", ALL, "automatic", "centova",
                {"USD": 18_00, "ARS": 21_600_00}, driver_settings={"listeners": 1000}),
    SeedProduct("video-streaming", "Video Streaming", "video_streaming", ALL, "automatic", "wowza",
                {"USD": 25_00, "ARS": 30_000_00}),
    SeedProduct("noticioso", "Portal Noticioso", "news_portal", ALL, "manual", "staff-task",
                {"USD": 15_00, "ARS": 18_000_00}),
    SeedProduct("email-marketing", "Email Marketing", "email_marketing", ALL, "automatic", "mailer",
                {"USD": 10_00, "ARS": 12_000_00}),
    SeedProduct("community-manager", "Community Manager", "community_manager", ALL, "manual", "staff-task",
                {"USD": 80_00, "ARS": 96_000_00}),
    SeedProduct("web-builder", "Creador de Sitios Web", "web_builder", ALL, "automatic", "sitebuilder",
                {"USD": 6_00, "ARS": 7_200_00}),
    SeedProduct("app-android-lite", "App Android Lite", "mobile_apps", ALL, "manual", "staff-task",
                {"USD": 20_00, "ARS": 24_000_00}),
    SeedProduct("chat-rooms", "Salas de Chat", "chat_rooms", ALL, "manual", "staff-task",
                {"USD": 5_00, "ARS": 6_000_00}),
    SeedProduct("voice-over", "Locución Personalizada", "voice_overs", ("monthly",), "manual", "staff-task",
                {"USD": 40_00, "ARS": 48_000_00}),
    # S-3 support plans (every client has Standard, free): support-svc learns a client's plan from these services'
    # events (SUPPORT_PLAN_PRODUCTS); staff switch the phone / WhatsApp lines on, so activation is a staff task.
    SeedProduct("support-professional", "Soporte Profesional", "support_plan", ALL, "manual", "staff-task",
                {"USD": 15_00, "ARS": 18_000_00}, upgrade_to=("support-full",),
                description="Respuesta en 2 horas laborables, soporte remoto, telefónico y cursos."),
    SeedProduct("support-full", "Soporte Full", "support_plan", ALL, "manual", "staff-task",
                {"USD": 40_00, "ARS": 48_000_00},
                description="Respuesta en 15 minutos, WhatsApp y Telegram, además de lo del plan Profesional."),
    # B-18 pay-with-time: a symbolic 0.50 invoice every month that staff may waive.
    SeedProduct("pay-with-time", "Servicio pagado con tiempo", "shared_hosting", ("monthly",), "automatic",
                "cpanel", {"USD": 50}, driver_settings={"package": "basic"}),
)
