"""What-if for one site, the way CloudRF users work, and the terrain profile of one link.

:mod:`gis.whatif.sites`
    add a site, move one, change its height, azimuths, tilt or technologies, or remove it;
    recompute only that site's coverage (and, where it was the best server, its neighbours'
    over those cells), the hamlets it concerns, their status and the indicators; the result is
    what a full run would give (``tests/test_whatif.py`` checks it cell for cell).
:mod:`gis.whatif.profile`
    the terrain between a site and a hamlet: elevation over the effective earth, the line of
    sight, the first Fresnel zone, the obstruction, and the path loss of every model (ITM on the
    profile included).

Pure functions on frames and arrays (no run context, no Streamlit): the app's What-if page
builds a :class:`~gis.whatif.sites.Scenario` from a run and calls them.
"""

from gis.whatif.profile import LinkProfile, link_profile
from gis.whatif.sites import (
    Scenario,
    SiteEdit,
    WhatIfResult,
    apply_edit,
    edited_sites,
    recompute_coverage,
    run_whatif,
)

__all__ = [
    "LinkProfile",
    "Scenario",
    "SiteEdit",
    "WhatIfResult",
    "apply_edit",
    "edited_sites",
    "link_profile",
    "recompute_coverage",
    "run_whatif",
]
