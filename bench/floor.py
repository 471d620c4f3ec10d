"""The floors every figure is divided by, mounted only when BENCH_FLOOR=1 (the benchmark's servers).

- `GET /bench/floor/?bytes=N`: a plain Django view returning a JSON payload of N bytes, no DRF, no
  database: what the same server and settings cost at the least.
- `GET /bench/peer/proposals/`: the peer, our list written with stock DRF (bench/peer.py).
- `ws/bench/floor/`: a bare Channels consumer that forwards group messages, and
  `POST /bench/floor/publish/`: sends one message to its group through the same channel layer. The live
  fan-out of the moderation socket is compared with this path.
"""

import json

from asgiref.sync import async_to_sync
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from bench import peer

FLOOR_GROUP = "bench.floor"


def floor(request):
    size = min(int(request.GET.get("bytes", "8000")), 5_000_000)
    item = {"id": 1, "title": "x" * 80, "description": "y" * 200, "status": "published", "vote_count": 0}
    one = len(json.dumps(item)) + 1
    items = [dict(item, id=i) for i in range(max(1, size // one))]
    return JsonResponse({"next": None, "previous": None, "results": items})


@csrf_exempt
def floor_publish(request):
    message = json.loads(request.body or b"{}")
    async_to_sync(get_channel_layer().group_send)(FLOOR_GROUP, {"type": "floor.message", "message": message})
    return HttpResponse(status=204)


class FloorConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(FLOOR_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(FLOOR_GROUP, self.channel_name)

    async def floor_message(self, event):
        await self.send(text_data=json.dumps(event["message"]))


urlpatterns = [path("floor/", floor), path("floor/publish/", floor_publish), *peer.urlpatterns]
websocket_urlpatterns = [path("ws/bench/floor/", FloorConsumer.as_asgi())]
