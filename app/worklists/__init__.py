"""Lists that act: families to follow up, graduates to watch, work waiting for a role."""
