"""The secretary's main views (see ``cmrc_desktop.ui.view_registry`` for their order)."""
