"""The knowledge base as a static website: `confidant kb site DIR`.

`bot.site.urls` is light (no template engine) so the brain can link to a platform's page; `bot.site.build`
renders the pages.
"""
