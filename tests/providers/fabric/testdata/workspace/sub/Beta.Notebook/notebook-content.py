server=Dev-Sql
{name}: 7
link=11111111-aaaa-bbbb-cccc-000000000001
