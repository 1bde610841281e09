"""The Teams side of workshopbot: the aiohttp app, the activity handler and the command line.

Only this package (and the dialog plumbing) imports the Bot Framework SDK, so that a move to
its successor, the Microsoft 365 Agents SDK, stays local. Importing ``bot`` itself is cheap:
submodules load the SDK only when used.
"""
