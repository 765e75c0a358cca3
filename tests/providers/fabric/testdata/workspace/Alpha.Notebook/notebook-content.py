# Fabric notebook source
Server=DEV-SQL; server=dev-sql;
{name}: 42
conn=abc123 CONN=def456
# META "workspaceId": "00000000-0000-0000-0000-000000000000"
