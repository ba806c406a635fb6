"""sxr.portal: the victim's pages, a face above the domains (beside sxr.staff).

Start a report, come back with reference + PIN, the case page (evidence, what could not be read,
watchlist alerts), the details found in the chats, and a screenshot's reading to confirm. The templates
stay with the domains they show (cases/, analysis/).
"""
