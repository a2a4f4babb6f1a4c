from haystack import indexes

from .models import Article, Book


class ArticleIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    title = indexes.CharField(model_attr="title", boost=2.0)
    category = indexes.CharField(model_attr="category", faceted=True)  # text, and category_exact: a keyword
    published = indexes.DateField(model_attr="published")
    rating = indexes.IntegerField(model_attr="rating")
    tags = indexes.MultiValueField(faceted=True)

    def get_model(self):
        return Article

    def prepare_tags(self, obj):
        return obj.tag_list()


class BookIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, use_template=True)
    title = indexes.CharField(model_attr="title", boost=2.0)
    author = indexes.CharField(model_attr="author", faceted=True)

    def get_model(self):
        return Book
