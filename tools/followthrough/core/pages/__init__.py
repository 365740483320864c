"""Page generation for the learnings site: postmortems + tracker state + today -> Markdown by path.

Pure: the MkDocs plugin (`followthrough.site`) and `followthrough pages` hand the result to
MkDocs or write it to files; neither adds content of its own.
"""

from followthrough.core.pages.data import SiteData, site_data
from followthrough.core.pages.generate import Site, template_environment
from followthrough.core.pages.options import SiteOptions
from followthrough.core.pages.paths import SITE_NAV

__all__ = ["SITE_NAV", "Site", "SiteData", "SiteOptions", "site_data", "template_environment"]
