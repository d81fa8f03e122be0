from rest_framework import serializers

from knowledge.choices import ArticleStatus, Audience


class SearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=500)
    audience = serializers.ChoiceField(choices=Audience.choices, required=False)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)


class SearchHitOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    score = serializers.FloatField()
    audience = serializers.CharField()
    category = serializers.CharField()


class SearchOutput(serializers.Serializer):
    results = SearchHitOutput(many=True)


class ArticleInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    category = serializers.CharField(max_length=40)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.CUSTOMER)
    keywords = serializers.ListField(child=serializers.CharField(max_length=50), default=list)
    synonyms = serializers.ListField(child=serializers.CharField(max_length=50), default=list)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    summary = serializers.CharField(max_length=300, required=False, allow_blank=True)
    slug = serializers.SlugField(max_length=80, required=False)


class ArticleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField()
    category = serializers.CharField(source="category.code")
    audience = serializers.CharField()
    keywords = serializers.ListField(child=serializers.CharField())
    synonyms = serializers.ListField(child=serializers.CharField())
    status = serializers.CharField()
    version = serializers.IntegerField()
    views = serializers.IntegerField()
    used_in_replies = serializers.IntegerField()
    helpful_yes = serializers.IntegerField()
    helpful_no = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class CustomerArticleOutput(serializers.Serializer):
    """What a customer sees: no usage figures, no editing history."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body_html = serializers.CharField()
    category = serializers.CharField(source="category.code")


class FeedbackInput(serializers.Serializer):
    helpful = serializers.BooleanField()
    conversation = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                            max_value=2 ** 63 - 1)


class FeedbackOutput(serializers.Serializer):
    helpful_yes = serializers.IntegerField()
    helpful_no = serializers.IntegerField()


class MacroInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    body = serializers.CharField()
    code = serializers.SlugField(max_length=60, required=False)
    category_codes = serializers.ListField(child=serializers.CharField(max_length=64),
                                           default=list)
    add_tags = serializers.ListField(child=serializers.CharField(max_length=40), default=list)
    set_priority = serializers.CharField(max_length=2, required=False, allow_blank=True,
                                         default="")
    submit_review = serializers.BooleanField(default=False)


class MacroOutput(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    body = serializers.CharField()
    category_codes = serializers.ListField(child=serializers.CharField())
    add_tags = serializers.ListField(child=serializers.CharField())
    set_priority = serializers.CharField()
    submit_review = serializers.BooleanField()


class MacroApplyInput(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True,
                                 help_text="The agent's edited text; default: the rendered macro.")


class UsageInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["article", "similar_ticket"])
    id = serializers.IntegerField()
