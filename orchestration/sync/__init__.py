"""Sync domain: the CRM change feed and its push."""

from orchestration.sync.assets import crm_outbox, crm_push, sync_assets

__all__ = ["crm_outbox", "crm_push", "sync_assets"]
