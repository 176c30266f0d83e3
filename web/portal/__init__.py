"""The public's pages and their JSON twins: home, search, profiles, records, lists."""
