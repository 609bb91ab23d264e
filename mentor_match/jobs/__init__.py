"""Background work on a task queue (Huey): mail delivery, round runs, reminders, invitations.

`queue` makes the queue (a SQLite file by default, Redis with `QUEUE_URL=redis://…`);
`tasks` holds the task functions, each opening its own app context and committing its own work.
"""
