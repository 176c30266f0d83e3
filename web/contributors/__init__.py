"""Credit information from society: contributors report, departments verify, the public sees the track records."""
