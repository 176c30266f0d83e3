"""Investment projects approved in parallel: the public status by code, the applicant's and the departments' pages."""
