from django.apps import AppConfig


class McpConfig(AppConfig):
    name = "accord.mcp"
    label = "accord_mcp"
    verbose_name = "MCP server"
