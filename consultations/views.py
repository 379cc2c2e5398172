from django.shortcuts import render


def index(request):
    """All the ways to take part, each with a link to its list."""
    return render(request, "consultations/index.html")
