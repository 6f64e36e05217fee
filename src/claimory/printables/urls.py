"""Print URLs under /staff/print/: one HTML and one PDF per sheet, the set, and the QR image."""

from django.urls import path

from claimory.printables import views

app_name = "printables"
urlpatterns = [
    path("<int:claim_id>/work-order", views.sheet, {"kind": "work-order"}, name="work_order"),
    path("<int:claim_id>/hang-tag", views.sheet, {"kind": "hang-tag"}, name="hang_tag"),
    path("<int:claim_id>/card", views.sheet, {"kind": "card"}, name="card"),
    path("<int:claim_id>/all", views.sheet, {"kind": "all"}, name="all"),
    path("<int:claim_id>/work-order.pdf", views.sheet_pdf, {"kind": "work-order"},
         name="work_order_pdf"),
    path("<int:claim_id>/hang-tag.pdf", views.sheet_pdf, {"kind": "hang-tag"},
         name="hang_tag_pdf"),
    path("<int:claim_id>/card.pdf", views.sheet_pdf, {"kind": "card"}, name="card_pdf"),
    path("<int:claim_id>/all.pdf", views.sheet_pdf, {"kind": "all"}, name="all_pdf"),
    path("<int:claim_id>/qr.svg", views.qr_svg, name="qr_svg"),
]
