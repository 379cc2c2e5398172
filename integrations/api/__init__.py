"""The EDMS API (issue 14, point 1): ``/api/v1/`` for a municipality's document management
system, on Django REST framework. Clients (``integrations.models.ApiClient``) authenticate with
a bearer token, act as their ``acts_as`` account within their cabinets and scopes, and go
through the same selectors, forms, workflow and services as the service cabinet's screens;
every error is an RFC 9457 problem (``problems``)."""
