"""bgsearch inside other frameworks: `bgsearch.contrib.haystack`, a django-haystack backend
(`pip install "bgsearch[django]"`). Nothing here is imported by the library itself."""
