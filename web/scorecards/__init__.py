"""Department scorecards (部门评价): the ranking and each department's monthly figures."""
