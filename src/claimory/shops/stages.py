"""The default production stages every new location starts with (PRODUCT.md §4)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StageDefault:
    slug: str
    name: str
    name_es: str
    explanation_en: str
    explanation_es: str
    is_delivery: bool = False


DEFAULT_STAGES: tuple[StageDefault, ...] = (
    StageDefault(
        "pictures", "Pictures", "Fotos",
        "We photograph all the damage so the insurance company and our estimator see "
        "exactly what happened to your car.",
        "Fotografiamos todos los daños para que la aseguradora y nuestro estimador vean "
        "exactamente lo que le pasó a su auto.",
    ),
    StageDefault(
        "estimate", "Estimate", "Presupuesto",
        "We write the repair estimate: every part and hour of labor the repair needs.",
        "Preparamos el presupuesto de reparación: cada pieza y hora de trabajo necesarias.",
    ),
    StageDefault(
        "teardown", "Teardown", "Desarmado",
        "We take the damaged parts off to find hidden damage; this often leads to a "
        "supplement.",
        "Quitamos las piezas dañadas para encontrar daños ocultos; esto suele llevar a un "
        "suplemento.",
    ),
    StageDefault(
        "supp_sent", "Supplement sent", "Suplemento enviado",
        "We found more damage and asked the insurance company to approve the extra repairs. "
        "Waiting on their answer.",
        "Encontramos más daños y pedimos a la aseguradora que apruebe las reparaciones "
        "adicionales. Esperamos su respuesta.",
    ),
    StageDefault(
        "supp_appr", "Supplement approved", "Suplemento aprobado",
        "The insurance company approved the extra repairs. Parts are ordered and work can "
        "go ahead.",
        "La aseguradora aprobó las reparaciones adicionales. Las piezas están pedidas y el "
        "trabajo puede seguir.",
    ),
    StageDefault(
        "started", "Repairs started", "Reparación iniciada",
        "Your car is in the bay: body work, paint and reassembly are under way.",
        "Su auto está en el taller: carrocería, pintura y armado están en marcha.",
    ),
    StageDefault(
        "completed", "Completed", "Terminado",
        "Repairs are done and checked. We will call you to arrange pickup.",
        "La reparación está terminada y revisada. Le llamaremos para coordinar la entrega.",
    ),
    StageDefault(
        "delivered", "Delivered", "Entregado",
        "You have your car back. Thank you for trusting us with it.",
        "Ya tiene su auto de vuelta. Gracias por confiar en nosotros.",
        is_delivery=True,
    ),
)
