"""Online presences and the electronic licence mark (亮照): the public mark pages and the presences API."""
