from django.db import models


class Article(models.Model):
    title = models.CharField(max_length=300)
    body = models.TextField()
    category = models.CharField(max_length=100)
    published = models.DateField()
    rating = models.IntegerField(default=0)
    tags = models.CharField(max_length=300, blank=True)  # comma-separated

    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class Book(models.Model):
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200)
    annotation = models.TextField()
