# Fabric notebook source

# METADATA ********************

# META {
# META   "kernel_info": {
# META     "name": "synapse_pyspark"
# META   },
# META   "dependencies": {
# META     "lakehouse": {
# META       "default_lakehouse": "3c1f7a52-8d2e-4b6a-9f0c-5e7d1a2b4c6d",
# META       "default_lakehouse_name": "Sales",
# META       "default_lakehouse_workspace_id": "00000000-0000-0000-0000-000000000000"
# META     }
# META   }
# META }

# CELL ********************

orders = spark.read.format("csv").option("header", "true").load("Files/orders/today.csv")
orders.write.mode("append").saveAsTable("orders")

# CELL ********************

print("loaded from dev-orders-api.example.com")
