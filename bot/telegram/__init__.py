"""The aiogram layer: routers, keyboards, middlewares and message rendering."""
