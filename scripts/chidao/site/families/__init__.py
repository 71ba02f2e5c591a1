"""The site's page families, one module each, with a ``write(ctx)`` function that writes that
family's pages (``chidao.site.pages.write_pages`` finds them all). Adding a family of pages
is adding a module here."""
