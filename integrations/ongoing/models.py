"""Every Ongoing model in one namespace: ``from integrations.ongoing.models import OrderWrite``.

The models live in topic modules (articles, orders, inbound purchase orders, returns, registers)
on a shared base (``models_base``); this module only gathers them. Names follow Ongoing's v57
models: write models are request bodies, read models are what the GET endpoints answer.
"""

from integrations.ongoing.models_articles import (
    Article,
    ArticleBarCodeInfo,
    ArticleInventoryInfo,
    ArticleStorageProperties,
    ArticleSupplierInfo,
    ArticleWrite,
    ArticleWriteResponse,
    ReportedStock,
)
from integrations.ongoing.models_base import (
    ArticleRef,
    CodeName,
    GoodsOwnerRef,
    Notification,
    OngoingModel,
    OngoingWrite,
    Status,
    WarehouseRef,
)
from integrations.ongoing.models_inbound import (
    PurchaseOrder,
    PurchaseOrderArticle,
    PurchaseOrderInfo,
    PurchaseOrderInfoAdvanced,
    PurchaseOrderLine,
    PurchaseOrderLineWrite,
    PurchaseOrderPatchResponse,
    PurchaseOrderSupplier,
    PurchaseOrderSupplierWrite,
    PurchaseOrderWrite,
    PurchaseOrderWriteResponse,
)
from integrations.ongoing.models_orders import (
    BackOrderInfo,
    ConsigneeNotifications,
    ConsigneeWrite,
    InvoiceAddress,
    LinePrices,
    LinePricesWrite,
    Order,
    OrderConsignee,
    OrderInfo,
    OrderInfoAdvanced,
    OrderLine,
    OrderLineWrite,
    OrderTransporter,
    OrderWrite,
    OrderWriteResponse,
    Parcel,
    ParcelAdvanced,
    ParcelTracking,
    PatchResponse,
    PickedArticleItem,
    PickedItemParcel,
    Tracking,
    TransporterWrite,
    Vat,
)
from integrations.ongoing.models_registers import (
    OrderStatus,
    OrderStatuses,
    ReturnCause,
    ReturnCauses,
    TransporterContract,
    TransporterService,
)
from integrations.ongoing.models_returns import (
    CustomerOrderInfo,
    CustomerOrderLineRef,
    CustomerOrderRef,
    ReturnedArticleItem,
    ReturnedOrderLineRef,
    ReturnOrder,
    ReturnOrderInfo,
    ReturnOrderLine,
    ReturnOrderLineWrite,
    ReturnOrderWrite,
    ReturnOrderWriteResponse,
    ReturnTrackingWrite,
)

__all__ = [
    "Article", "ArticleBarCodeInfo", "ArticleInventoryInfo", "ArticleRef", "ArticleStorageProperties",
    "ArticleSupplierInfo", "ArticleWrite", "ArticleWriteResponse", "BackOrderInfo", "CodeName",
    "ConsigneeNotifications", "ConsigneeWrite", "CustomerOrderInfo", "CustomerOrderLineRef", "CustomerOrderRef",
    "GoodsOwnerRef", "InvoiceAddress", "LinePrices", "LinePricesWrite", "Notification", "OngoingModel",
    "OngoingWrite", "Order", "OrderConsignee", "OrderInfo", "OrderInfoAdvanced", "OrderLine", "OrderLineWrite",
    "OrderStatus", "OrderStatuses", "OrderTransporter", "OrderWrite", "OrderWriteResponse", "Parcel",
    "ParcelAdvanced", "ParcelTracking", "PatchResponse", "PickedArticleItem", "PickedItemParcel", "PurchaseOrder",
    "PurchaseOrderArticle", "PurchaseOrderInfo", "PurchaseOrderInfoAdvanced", "PurchaseOrderLine",
    "PurchaseOrderLineWrite", "PurchaseOrderPatchResponse", "PurchaseOrderSupplier", "PurchaseOrderSupplierWrite",
    "PurchaseOrderWrite", "PurchaseOrderWriteResponse", "ReportedStock", "ReturnCause", "ReturnCauses",
    "ReturnOrder", "ReturnOrderInfo", "ReturnOrderLine", "ReturnOrderLineWrite", "ReturnOrderWrite",
    "ReturnOrderWriteResponse", "ReturnTrackingWrite", "ReturnedArticleItem", "ReturnedOrderLineRef", "Status",
    "Tracking", "TransporterContract", "TransporterService", "TransporterWrite", "Vat", "WarehouseRef",
]
