"""Pure analysis: documents in, terms, networks, pictures and summaries out.

Never imports botbuilder, aiohttp or storage: every function takes plain data and returns
plain data.
"""
