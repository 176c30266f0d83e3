"""Department disclosure pages (部门公开) and the model contracts: the public pages, and the departments' editor."""
