"""The words on the printables: one source for the HTML pages and the PDFs, so they agree.

Lazy strings resolve in whatever language is active when they are printed: the views and
PDF builders switch to the customer's language around the sheets. Every msgid carries the
context "print" so a shorter word elsewhere in the product ("Insurance" on a form) can be
translated differently without changing the sheets; the Spanish lives in this app's locale/.
"""

from __future__ import annotations

from django.utils.translation import pgettext_lazy

WORDS = {
    "work_order": pgettext_lazy("print", "Work order"),
    "hang_tag": pgettext_lazy("print", "Hang tag"),
    "card": pgettext_lazy("print", "Drop-off card"),
    "ro": pgettext_lazy("print", "RO"),
    "claim_number": pgettext_lazy("print", "Claim number"),
    "customer": pgettext_lazy("print", "Customer"),
    "name": pgettext_lazy("print", "Name"),
    "phone": pgettext_lazy("print", "Phone"),
    "email": pgettext_lazy("print", "Email"),
    "vehicle": pgettext_lazy("print", "Vehicle"),
    "color": pgettext_lazy("print", "Color"),
    "vin": pgettext_lazy("print", "VIN"),
    "plate": pgettext_lazy("print", "Plate"),
    "insurance": pgettext_lazy("print", "Insurance"),
    "carrier": pgettext_lazy("print", "Carrier"),
    "adjuster": pgettext_lazy("print", "Adjuster"),
    "deductible": pgettext_lazy("print", "Deductible"),
    "repair": pgettext_lazy("print", "Repair"),
    "date_in": pgettext_lazy("print", "Date in"),
    "eta": pgettext_lazy("print", "Estimated completion"),
    "ready_by": pgettext_lazy("print", "Ready by"),
    "to_be_confirmed": pgettext_lazy("print", "To be confirmed"),
    "scan_headline": pgettext_lazy("print", "Scan to follow your repair — no app needed"),
    "scan_pitch": pgettext_lazy(
        "print", "Live progress, your estimated completion date and messages with the shop, "
        "right on your phone."),
    "type_address": pgettext_lazy("print", "Or type this address:"),
    "step_1": pgettext_lazy("print", "Open your phone’s camera and point it at the code."),
    "step_2": pgettext_lazy("print", "Tap the link that appears: your repair’s page opens."),
    "step_3": pgettext_lazy("print", "Check progress and message us any time."),
    "questions": pgettext_lazy("print", "Questions? Call us"),
    "notes": pgettext_lazy("print", "Notes"),
    "authorization": pgettext_lazy("print", "Repair authorization"),
    "signature": pgettext_lazy("print", "Customer signature"),
    "date": pgettext_lazy("print", "Date"),
    "received_by": pgettext_lazy("print", "Received by"),
    "cut_here": pgettext_lazy("print", "Cut along the dashed line"),
    "qr_title": pgettext_lazy("print", "QR code: scan to follow your repair"),
    "link_off": pgettext_lazy("print", "No QR code: this customer’s link is turned off."),
    "link_off_help": pgettext_lazy("print",
                                   "Issue a new link on the claim page, then print again."),
}

# Needs the shop's name: formatted with % at print time.
AUTHORIZATION_TEXT = pgettext_lazy(
    "print",
    "I authorize %(shop)s to repair the vehicle described above as set out in the estimate, "
    "and to drive it for testing and delivery. I agree to pay my deductible and any charges "
    "my insurance does not cover."
)
YOUR_REPAIR_AT = pgettext_lazy("print", "Your repair at %(shop)s")
