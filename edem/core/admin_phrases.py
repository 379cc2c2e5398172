"""Strings the admin shows that come from outside our code, marked here so that
``makemessages`` keeps them in our catalogue (``LOCALE_PATHS`` wins over the apps' own).

* The accusative forms of the models' names (``edem.core.admin_site``): "Добавить территорию".
* Django's admin phrases built from a model's name, re-worded so that they agree with any noun
  ("Добавлено: территория «Центр».", "Удалено (территории): 3.").
* The sections and names of third-party apps whose catalogues lack Russian or Ukrainian
  (allauth's MFA and social accounts, django-celery-beat), the names ``edem.core.third_party``
  derives for their unnamed fields, and the custom permissions (stored in English).

Nothing here is called at run time.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

ACCUSATIVE = (
    pgettext_lazy("accusative", "group"),
    pgettext_lazy("accusative", "authenticator"),
    pgettext_lazy("accusative", "periodic task"),
    pgettext_lazy("accusative", "clocked"),
    pgettext_lazy("accusative", "crontab"),
    pgettext_lazy("accusative", "solar event"),
    pgettext_lazy("accusative", "interval"),
    pgettext_lazy("accusative", "municipality settings"),
    pgettext_lazy("accusative", "local day off or working day"),
    pgettext_lazy("accusative", "event delivery"),
    pgettext_lazy("accusative", "webhook subscription"),
    pgettext_lazy("accusative", "webhook delivery"),
    pgettext_lazy("accusative", "territory"),
    pgettext_lazy("accusative", "user"),
    pgettext_lazy("accusative", "publication"),
    pgettext_lazy("accusative", "category"),
    pgettext_lazy("accusative", "rating of an answer"),
    pgettext_lazy("accusative", "public problem"),
    pgettext_lazy("accusative", "moderation of a public problem"),
    pgettext_lazy("accusative", "support of a problem"),
    pgettext_lazy("accusative", "follower of a problem"),
    pgettext_lazy("accusative", "report on a comment"),
    pgettext_lazy("accusative", "area subscription"),
    pgettext_lazy("accusative", "reception card"),
    pgettext_lazy("accusative", "petition"),
    pgettext_lazy("accusative", "comment or proposal"),
    pgettext_lazy("accusative", "email address"),
    pgettext_lazy("accusative", "social application"),
    pgettext_lazy("accusative", "social application token"),
    pgettext_lazy("accusative", "social account"),
    pgettext_lazy("accusative", "civic initiative"),
    pgettext_lazy("accusative", "initiative update"),
    pgettext_lazy("accusative", "report subscription"),
    pgettext_lazy("accusative", "budget event"),
    pgettext_lazy("accusative", "poll event"),
)

PERMISSION_ACTIONS = (
    pgettext_lazy("permission", "add"),
    pgettext_lazy("permission", "change"),
    pgettext_lazy("permission", "delete"),
    pgettext_lazy("permission", "view"),
)

PHRASES = (
    # The admin index's table headers (visually hidden): Django's Ukrainian catalogue leaves
    # them untranslated (5.2.19), and a screen reader would read them in English.
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Model name"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
    gettext_noop("Successfully deleted %(count)d %(items)s."),
    gettext_noop("Cannot delete %(name)s"),
    gettext_noop("Add another %(verbose_name)s"),
    gettext_noop("Added {name} “{object}”."),
    gettext_noop("Changed {fields} for {name} “{object}”."),
    gettext_noop("Deleted {name} “{object}”."),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the %(object_name)s '%(escaped_object)s' would require deleting the following protected related objects:"
    ),
    gettext_noop(
        'Are you sure you want to delete the %(object_name)s "%(escaped_object)s"? All of the following related items will be deleted:'
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would result in deleting related objects, but your account doesn't have permission to delete the following types of objects:"
    ),
    gettext_noop(
        "Deleting the selected %(objects_name)s would require deleting the following protected related objects:"
    ),
    gettext_noop(
        "Are you sure you want to delete the selected %(objects_name)s? All of the following objects and their related items will be deleted:"
    ),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    gettext_noop("Models in the %(name)s application"),
    gettext_noop("Authentication and Authorization"),
    gettext_noop("Sites"),
    gettext_noop("Social Accounts"),
    gettext_noop("Periodic Tasks"),
    gettext_noop("Accounts"),
    gettext_noop("MFA"),
    gettext_noop("authenticator"),
    gettext_noop("authenticators"),
    gettext_noop("Authenticators"),
    gettext_noop("Created at"),
    gettext_noop("Last used at"),
    gettext_noop("Type"),
    gettext_noop("User"),
    gettext_noop("Data"),
    gettext_noop("Account"),
    gettext_noop("App"),
    gettext_noop("Provider"),
    gettext_noop("Settings"),
    gettext_noop("email address"),
    gettext_noop("email addresses"),
    gettext_noop("social application"),
    gettext_noop("social applications"),
    gettext_noop("social application token"),
    gettext_noop("social application tokens"),
    gettext_noop("social account"),
    gettext_noop("social accounts"),
    gettext_noop('"oauth_token" (OAuth1) or access token (OAuth2)'),
    gettext_noop('"oauth_token_secret" (OAuth1) or refresh token (OAuth2)'),
    gettext_noop("Task (registered)"),
    gettext_noop("Task (custom)"),
    gettext_noop("Need name of task"),
    gettext_noop("Schedule"),
    gettext_noop("Arguments"),
    gettext_noop("Execution Options"),
    gettext_noop("Enable selected tasks"),
    gettext_noop("Disable selected tasks"),
    gettext_noop("Toggle activity of selected tasks"),
    gettext_noop("Run selected tasks"),
    gettext_noop("Days"),
    gettext_noop("Hours"),
    gettext_noop("Minutes"),
    gettext_noop("Seconds"),
    gettext_noop("Microseconds"),
    gettext_noop("Day"),
    gettext_noop("Hour"),
    gettext_noop("Minute"),
    gettext_noop("Second"),
    gettext_noop("Microsecond"),
    gettext_noop("Astronomical dawn"),
    gettext_noop("Civil dawn"),
    gettext_noop("Nautical dawn"),
    gettext_noop("Astronomical dusk"),
    gettext_noop("Civil dusk"),
    gettext_noop("Nautical dusk"),
    gettext_noop("Solar noon"),
    gettext_noop("Sunrise"),
    gettext_noop("Sunset"),
    gettext_noop("Solar Event"),
    gettext_noop("The type of solar event when the job should run"),
    gettext_noop("Latitude"),
    gettext_noop("Run the task when the event happens at this latitude"),
    gettext_noop("Longitude"),
    gettext_noop("Run the task when the event happens at this longitude"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
    gettext_noop("Number of Periods"),
    gettext_noop("Number of interval periods to wait before running the task again"),
    gettext_noop("Interval Period"),
    gettext_noop("The type of period between task runs (Example: days)"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("Clock Time"),
    gettext_noop("Run the task at clocked time"),
    gettext_noop("clocked"),
    gettext_noop("Minute(s)"),
    gettext_noop('Cron Minutes to Run. Use "*" for "all". (Example: "0,30")'),
    gettext_noop("Hour(s)"),
    gettext_noop('Cron Hours to Run. Use "*" for "all". (Example: "8,20")'),
    gettext_noop("Day(s) Of The Week"),
    gettext_noop(
        'Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'
    ),
    gettext_noop("Day(s) Of The Month"),
    gettext_noop('Cron Days Of The Month to Run. Use "*" for "all". (Example: "1,15")'),
    gettext_noop("Month(s) Of The Year"),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop("Cron Timezone"),
    gettext_noop("Timezone to Run the Cron Schedule on. Default is UTC."),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("Short Description For This Task"),
    gettext_noop(
        'The Name of the Celery Task that Should be Run.  (Example: "proj.tasks.import_contacts")'
    ),
    gettext_noop("Interval Schedule"),
    gettext_noop(
        "Interval Schedule to run the task on.  Set only one schedule type, leave the others null."
    ),
    gettext_noop("Crontab Schedule"),
    gettext_noop(
        "Crontab Schedule to run the task on.  Set only one schedule type, leave the others null."
    ),
    gettext_noop("Solar Schedule"),
    gettext_noop(
        "Solar Schedule to run the task on.  Set only one schedule type, leave the others null."
    ),
    gettext_noop("Clocked Schedule"),
    gettext_noop(
        "Clocked Schedule to run the task on.  Set only one schedule type, leave the others null."
    ),
    gettext_noop("Positional Arguments"),
    gettext_noop('JSON encoded positional arguments (Example: ["arg1", "arg2"])'),
    gettext_noop("Keyword Arguments"),
    gettext_noop('JSON encoded keyword arguments (Example: {"argument": "value"})'),
    gettext_noop("Queue Override"),
    gettext_noop("Queue defined in CELERY_TASK_QUEUES. Leave None for default queuing."),
    gettext_noop("Exchange"),
    gettext_noop("Override Exchange for low-level AMQP routing"),
    gettext_noop("Routing Key"),
    gettext_noop("Override Routing Key for low-level AMQP routing"),
    gettext_noop("AMQP Message Headers"),
    gettext_noop("JSON encoded message headers for the AMQP message."),
    gettext_noop(
        "Priority Number between 0 and 255. Supported by: RabbitMQ, Redis (priority reversed, 0 is highest)."
    ),
    gettext_noop("Expires Datetime"),
    gettext_noop("Datetime after which the schedule will no longer trigger the task to run"),
    gettext_noop("Expires timedelta with seconds"),
    gettext_noop(
        "Timedelta with seconds which the schedule will no longer trigger the task to run"
    ),
    gettext_noop("One-off Task"),
    gettext_noop("If True, the schedule will only run the task a single time"),
    gettext_noop("Start Datetime"),
    gettext_noop("Datetime when the schedule should begin triggering the task to run"),
    gettext_noop("Enabled"),
    gettext_noop("Set to False to disable the schedule"),
    gettext_noop("Last Run Datetime"),
    gettext_noop(
        "Datetime that the schedule last triggered the task to run. Reset to None if enabled is set to False."
    ),
    gettext_noop("Total Run Count"),
    gettext_noop("Running count of how many times the schedule has triggered the task"),
    gettext_noop("Last Modified"),
    gettext_noop("Datetime that this PeriodicTask was last modified"),
    gettext_noop("Description"),
    gettext_noop("Detailed description about the details of this Periodic Task"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("Crontab translation"),
    gettext_noop("Human readable"),
    gettext_noop("Periodic Tasks Using This Schedule"),
    gettext_noop("Task Name"),
    gettext_noop("Every minute"),
    gettext_noop("True"),
    gettext_noop("False"),
    gettext_noop("created at"),
    gettext_noop("last used at"),
    gettext_noop("type"),
    gettext_noop("data"),
    gettext_noop("user"),
    gettext_noop("account"),
    gettext_noop("app"),
    gettext_noop("settings"),
    gettext_noop("sites"),
    gettext_noop("Can see the personal data of appellants"),
    gettext_noop("Can hide and restore comments on any discussion"),
    gettext_noop("Can see the cabinet's work (appeals, queue)"),
    gettext_noop("Can register appeals"),
    gettext_noop("Can assign appeals to executors"),
    gettext_noop("Can draft answers to appeals"),
    gettext_noop("Can sign answers"),
    gettext_noop("Can extend deadlines"),
    gettext_noop("Can publish news and announcements"),
    gettext_noop("Can verify residents in person (identity document seen)"),
    gettext_noop("Can manage the cabinet's staff"),
    gettext_noop("Guardian"),
    gettext_noop("group object permission"),
    gettext_noop("user object permission"),
    gettext_noop("periodic task track"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("uid"),
    gettext_noop("Yes"),
    gettext_noop("No"),
    gettext_noop("Unknown"),
    gettext_noop("email confirmation"),
    gettext_noop("email confirmations"),
)

PLURAL_PHRASES = (
    ngettext_lazy(
        "%(count)s %(name)s was changed successfully.",
        "%(count)s %(name)s were changed successfully.",
        1,
    ),
)
